"""What finance types or uploads as the provider's invoice (the billing section's reconciliation):
kronor to öre, a row to an invoice line, a CSV file to lines or problems naming the line, a
multipart body to its fields and file. Pure: no AWS."""
from decimal import Decimal

from services.entrypoints.web.billing.reconcile import claimed_line, csv_lines, multipart, ore
from tests.support.people import new_pnr

A, B = new_pnr(1940), new_pnr(1985)


def test_kronor_with_a_decimal_comma_point_or_spaces_are_ore_and_anything_else_is_none():
    """GIVEN amounts as people write them WHEN read THEN öre; a word or three decimals is no amount."""
    assert [ore(t) for t in ("1234,50", "1 234.5", "12", "-3,05", "1\u00a0000 kr")] == [123450, 123450, 1200, -305,
                                                                                         100000]
    assert [ore(t) for t in ("tolv", "1,234", "", "1,2,3")] == [None, None, None, None]


def test_a_row_is_an_invoice_line_or_names_each_field_that_is_wrong():
    """GIVEN a row WHEN it is read THEN a line with hours and öre, or the wrong fields by name."""
    line, problems = claimed_line(A[:8] + "-" + A[8:], "6,5", "3042,00")
    assert problems == [] and (line.client, line.hours, line.amount_ore) == (A, Decimal("6.5"), 304200)
    assert claimed_line("19400101", "mycket", "x")[1] == ["client", "hours", "amount"]
    assert claimed_line(A, "1,234", "10")[1] == ["hours"]


def test_a_csv_with_a_heading_is_read_line_by_line():
    """GIVEN the documented columns with a heading and a byte-order mark WHEN read THEN one line per
    row, blank rows skipped."""
    data = f"\ufeffKund;Timmar;Belopp (kr)\r\n{A};1,75;819,00\r\n\r\n{B};0.5;234\r\n".encode()
    lines, problems = csv_lines(data)
    assert problems == [] and [(x.client, x.amount_ore) for x in lines] == [(A, 81900), (B, 23400)]


def test_a_bad_csv_names_every_bad_line_by_its_number_in_the_file():
    """GIVEN a file with a short row on line 2 and a bad amount on line 3 WHEN read THEN both lines are
    named and no line is kept from a file that has problems (the caller compares nothing)."""
    data = f"Kund;Timmar;Belopp (kr)\n{A};1,75\n{B};1;mycket\n".encode()
    lines, problems = csv_lines(data)
    assert problems[0].startswith("Rad 2: raden ska ha tre kolumner") and problems[1].startswith("Rad 3: beloppet")
    assert csv_lines(b"")[1] == ["Filen är tom. Välj fakturans CSV-fil."]
    assert "UTF-8" in csv_lines("Kund;Timmar\n".encode("utf-16"))[1][0]


def test_a_multipart_body_gives_its_fields_and_its_file():
    """GIVEN a browser's multipart form WHEN parsed THEN the text fields in order and the file's bytes."""
    body = (b'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc\r\n'
            b'--x\r\nContent-Disposition: form-data; name="fil"; filename="f.csv"\r\nContent-Type: text/csv\r\n\r\n'
            b"a;b;c\r\n1;2;3\r\n--x--\r\n")
    fields, files = multipart(body, "multipart/form-data; boundary=x")
    assert fields.get("csrf") == "abc" and files == {"fil": b"a;b;c\r\n1;2;3"}
