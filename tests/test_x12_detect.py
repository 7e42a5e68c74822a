from pathlib import Path

import pytest

from claimbook.x12 import sniff

DATA = Path(__file__).parent / "data" / "x12"


@pytest.mark.parametrize(
    "name, kind",
    [
        ("era_denials.835", "835"),
        ("public_edi835parser_sample_835.txt", "835"),
        ("ack_277ca.277", "277"),
        ("status_277.277", "277"),
        ("public_x12parser_277ca_deidentified_nth.txt", "277"),
        ("malformed_not_x12.835", "csv"),  # the extension says 835, the content says CSV
        ("malformed_truncated.835", "835"),  # sniffing does not validate
    ],
)
def test_sniff_reads_content(name, kind):
    assert sniff(DATA / name) == kind


def test_sniff_ignores_extension(tmp_path):
    target = tmp_path / "remit.csv"
    target.write_bytes((DATA / "era_denials.835").read_bytes())
    assert sniff(target) == "835"
    bom = tmp_path / "status.txt"
    bom.write_bytes(b"\xef\xbb\xbf\r\n" + (DATA / "status_277.277").read_bytes())
    assert sniff(bom) == "277"


def test_sniff_unknown(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"PK\x03\x04rest")
    (tmp_path / "b.txt").write_text("just some words\n")
    (tmp_path / "empty.835").write_bytes(b"")
    other = (DATA / "era_denials.835").read_text().replace("005010X221A1", "005010X222A1").replace("ST*835", "ST*837")
    (tmp_path / "c.edi").write_text(other)
    for name in ("a.xlsx", "b.txt", "empty.835", "c.edi", "missing.835"):
        assert sniff(tmp_path / name) is None
