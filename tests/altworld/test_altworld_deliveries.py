"""Consecutive deliveries of one evolving independent world, and the golden digests of `generate()`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pandzicht.altworld import generate

# sha256 of every file `generate(out, 600, 5, variant)` wrote before the deliveries mode existed: earlier
# evaluations were measured on these worlds, so `generate()` must keep writing them byte for byte.
GOLDEN = {
    "base": {
        "bag_verblijfsobject.csv": "fd5eb1a8ed97590f6bc7389087ab61008dfb77262a79f92e70a5f7fbef5138e4",
        "brp_inschrijving.csv": "bd4aec8f7b4586ef2f901626fd481079d802bdd789e9d6b2a9e96fed53a2c01e",
        "energie_verbruik.csv": "305b862093afb1992fd5991ca5562ffa1fe4931117d5b69f550149ebc86e11da",
        "handhaving_uitkomst.csv": "5793e68756bf626502a45619613f403d5ea205da2d6a49b338c2183235cd9c2e",
        "huurcontract.csv": "5a71290645e5d5092bb1279018159c1a12ce15738ec14abf38d91aedd6fa7e68",
        "kadaster_eigendom.csv": "75456fccfe26725ccd7ee95b14d67c61ec1ef311b9c73c0c7dda084b637fdf7d",
        "kvk_functionaris.csv": "a018bfdbfb2be0dc03c4fc2680940111c339d15871736fe0749e591ade0dab4f",
        "kvk_vestiging.csv": "b14f65f9fd3f6b062e23cdd24f21c83a4dd943af8fefabbcd0fb506241f083e1",
        "manifest.json": "fc44abaa547794d1217876253679e6c36730b535411509167e004dbad25cb208",
        "melding.csv": "93f25db6338891a98abf71df72da0d288fff092715db71338657d03c6d7a1205",
        "politie_betrokkene.csv": "f7fe1b5a064da74d57697c8526902d5326a954f44ce876d546d8dc4a129f0a4f",
        "politie_incident.csv": "d89dd27a670a26b847ac9806abffb7e7df16479b580895b9a1dffb1f16183ffe",
        "truth/adres_tekst.csv": "c72ab976341ab6cc7ab0df75965fa1e931228a28fb0ae0d21a13cf2635a51d38",
        "truth/adres_typologie.csv": "5cea840fc18038cb7de0f93b3c19e774abe52c63781656d57c66be6d903ef0df",
        "truth/malafide_partij.csv": "dae11f21b644c083f88ccf698e7f9b56975db01a1be2dc3fe4b6a61e53456148",
        "truth/persoon_sleutel.csv": "82a3cb32e8c5b2b6287df718f74de9b90352540c6f6fb64053079f4380aa7d4e",
        "truth/wereld.json": "d3d84a79cfeb5d5404f9daef8ed4e0e1f72804d43e4f0c746e243eed835f6f51",
    },
    "noisy": {
        "bag_verblijfsobject.csv": "f060fc91b001ad8668335315e0d48736157b1af035218be4167c7a170fde41cf",
        "brp_inschrijving.csv": "428912712fdda20e2009f570a854aad40a14c4341efdf336c39c7c538080aa7b",
        "energie_verbruik.csv": "d4a21fac31109507aece3b5d63a97af308768f418ac6cf22c05e53106819d5f4",
        "handhaving_uitkomst.csv": "8fb1fa38ae5b2c395baf69989dad0971eb9c7015f2c94ae76da6bb4b36bef4ab",
        "huurcontract.csv": "e402ed666e8609675b5c9ae8ce5407c5e8ec12a3d47043ad9f2e3942f6f4f306",
        "kadaster_eigendom.csv": "cccee1cbb5d2196851d60fdc654421bb67ca1053ab27ca46fe06a366acca7545",
        "kvk_functionaris.csv": "b3d7567018b07ed9e87beae307a297abdd89ed9d5f86c465bc656d533b3a6f5c",
        "kvk_vestiging.csv": "f48024bd1aa3e1376e6436958aef97dd4e45f4979e58e2d9e4ce881169cbefac",
        "manifest.json": "10695d003819865d7459c15a9fe99e87cdb674bccb5826ff107b2e9a3a5a2e5f",
        "melding.csv": "93b72aad460674a8265f0f270a9923ec4f09dbea42f7bd608e143f6daacfe190",
        "politie_betrokkene.csv": "f8e2b9a60f46e34103d71b53167f2f18d5646e45e19d9dd659dce31bb3bcfc96",
        "politie_incident.csv": "ea09618e95286c10a14651405e8d73459d4392c3d52bbcb7184eed83ca03da66",
        "truth/adres_tekst.csv": "323f61079bb6316b2451be1b3990c19cec221b40a6fdf002a3f502056b83fb27",
        "truth/adres_typologie.csv": "8242c9e9d8e3639ecb6156938ac696bfc578f4bfcaff89a370ae2935600e44f6",
        "truth/malafide_partij.csv": "ad22b78aaa4072d9f2b417d39a814513c2f8da943d5ad3bb81c07ac2bd745025",
        "truth/persoon_sleutel.csv": "ecaa0bd259cdd24395b866a71385d3c689927e8c2da3abfe58db66a3ccbedaad",
        "truth/wereld.json": "2d67bb410878552b79c236897e8e43ffce29e1b9c8b5880c4391e09dfcce01fd",
    },
}


@pytest.mark.parametrize("variant", sorted(GOLDEN))
def test_generate_is_byte_identical_to_the_golden_digests(tmp_path: Path, variant: str) -> None:
    generate(tmp_path / variant, 600, 5, variant)
    digests = {str(p.relative_to(tmp_path / variant)): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in sorted((tmp_path / variant).rglob("*")) if p.is_file()}
    assert digests == GOLDEN[variant]
