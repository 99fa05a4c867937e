"""Importing e-mail: .eml messages and mbox mailboxes (hand-made files under
tests/fixtures/mail/), what is kept and what only counted, the headers kept as received, DKIM
checked offline, and the files and messages that cannot be read."""

import base64
import io
from email import policy
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents import custody
from incidents.message_import import (
    import_file,
    message_import_choose,
    message_import_receive,
    message_import_run,
)
from incidents.models import Evidence, Message, MessageImport
from incidents.sources import mail, reader_for
from incidents.sources.items import FileUnreadable, MessageItem, SkippedItem
from incidents.sources.keys import address_key
from incidents.sources.mail import EmlReader, MboxReader
from incidents.sources.mail_message import _addresses
from tests.imported import person_named_sam

FILES = Path(__file__).parent / "fixtures" / "mail"
SAM = "sam@example.org"
SAM_KEY = "email:sam@example.org"
ALEX = "alex@example.net"  # the user, whose mailbox it is


@pytest.fixture
def case(alice):
    return person_named_sam(alice, "Europe/London")


def _import(case, name: str) -> MessageImport:
    job = import_file(case=case, path=FILES / name, numbers=[], addresses=[SAM], me=ALEX)
    assert job.status == MessageImport.Status.DONE, job.error
    return job


def _items(content: bytes, reader=None, **options) -> list:
    stream = io.BytesIO(content)
    found = reader or reader_for(stream)
    return list(found(stream, options=options).items())


# --- recognising the files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reader"),
    [("thunderbird.mbox", MboxReader), ("takeout.mbox", MboxReader), ("sam.eml", EmlReader)],
)
def test_mail_files_are_recognised_by_their_content(name, reader):
    with open(FILES / name, "rb") as stream:
        assert reader_for(stream) is reader


@pytest.mark.parametrize(
    "content",
    [
        b"From here on I am keeping a diary of what happens.\nMonday: a call.\n",
        b'{"messages": [{"From": "sam@example.org"}]}',
    ],
)
def test_a_file_that_is_not_mail_is_refused_whatever_its_name(case, content):
    upload = SimpleUploadedFile("inbox.mbox", content, "application/mbox")
    with pytest.raises(FileUnreadable, match="cannot read this file"):
        message_import_receive(case=case, upload=upload)
    assert not Evidence.objects.filter(case=case).exists()


def test_an_empty_mailbox_is_refused_with_a_reason(case):
    upload = SimpleUploadedFile("Inbox", b"\n\n", "application/mbox")
    with pytest.raises(FileUnreadable, match="This file is empty"):
        message_import_receive(case=case, upload=upload)


# --- a Thunderbird mailbox, end to end -------------------------------------------------------


def test_messages_from_and_to_the_person_are_kept_and_the_rest_only_counted(case):
    job = _import(case, "thunderbird.mbox")
    assert job.format == "mbox" and job.description == "a Thunderbird mailbox"
    assert job.source.content_type == "application/mbox"
    kept = list(Message.objects.filter(case=case).order_by("element"))
    assert [(m.element, m.direction, m.box) for m in kept] == [
        (1, "in", 1),
        (2, "out", 2),
        (4, "in", 1),
        (5, "in", 1),
        (8, "out", 2),
    ]
    assert {m.channel for m in kept} == {"email"} and {m.address_key for m in kept} == {SAM_KEY}
    # Mum's message to the user and the user's to Jo: counted, never stored; a damaged message
    # and one without a date: counted under their reasons.
    assert job.added == 5 and job.skipped == 4
    assert job.reasons["other_number"] == 2
    assert job.reasons["damaged"] == 1 and job.reasons["no_time"] == 1
    assert not Message.objects.filter(body__contains="Love, Mum").exists()
    assert not Message.objects.filter(subject="Coffee?").exists()


def test_times_are_read_in_utc_from_each_messages_own_zone(case):
    _import(case, "thunderbird.mbox")
    times = dict(Message.objects.values_list("element", "sent_at"))
    assert times[1].isoformat() == "2024-05-03T19:20:00+00:00"  # 20:20 +0100
    assert times[2].isoformat() == "2024-05-03T20:02:00+00:00"  # 22:02 +0200
    assert times[5].isoformat() == "2024-05-05T10:15:00+00:00"  # 06:15 -0400


def test_sender_subject_text_and_recipients_as_the_message_gives_them(case):
    _import(case, "thunderbird.mbox")
    first = Message.objects.get(element=1)
    assert first.address == SAM and first.contact_name == "Sam Jones"
    assert first.subject == "Café tonight"  # decoded from =?utf-8?q?Caf=C3=A9_tonight?=
    # The mailbox writes a body line starting "From " as ">From "; it is read as sent.
    assert first.body.endswith("answer me?\nFrom now on I will wait outside.\n")
    assert first.recipients == ["alex@example.net"]
    reply = Message.objects.get(element=2)
    assert reply.address == SAM and reply.body == "Please stop contacting me.\n"
    assert reply.details["sender"] == "alex@example.net"
    copied = Message.objects.get(element=8)  # to Mum, with Sam in copy
    assert copied.address == SAM and copied.recipients == ["mum@example.com"]


def test_an_html_only_message_keeps_its_words_and_says_so(case):
    _import(case, "thunderbird.mbox")
    html = Message.objects.get(element=5)
    assert html.body == "I will be outside at 8.\n\nDon't be late."
    assert html.details["body_from_html"] is True
    assert "body_from_html" not in Message.objects.get(element=1).details


def test_headers_are_kept_as_received_in_their_order(case):
    _import(case, "thunderbird.mbox")
    details = Message.objects.get(element=1).details
    names = [name for name, _value in details["headers"]]
    assert names[:5] == ["X-Mozilla-Status", "X-Mozilla-Status2", "Return-Path", "Received", "From"]
    received = dict(details["headers"])["Received"]
    assert received.startswith("from mail.example.org (mail.example.org [192.0.2.10])\n\tby mx")
    assert dict(details["headers"])["Subject"] == "=?utf-8?q?Caf=C3=A9_tonight?="  # raw
    assert details["dkim"] == "no signature" and details["dkim_domain"] == ""
    assert details["envelope"] == "From - Fri May 03 19:20:41 2024"


def test_attachments_are_named_and_kept_as_exhibits_when_the_app_accepts_them(case):
    job = _import(case, "thunderbird.mbox")
    message = Message.objects.get(element=4)
    assert message.attachments == [
        {"seq": 1, "content_type": "image/png", "name": "outside.png"},
        {"seq": 2, "content_type": "text/plain", "name": "notes.txt"},
    ]
    assert message.recipients == ["alex@example.net", "jo@example.com"]
    picture = Evidence.objects.get(message=message)
    assert picture.kind == Evidence.Kind.IMAGE and picture.width == 6
    assert "item 4 in exhibit 1" in picture.caption
    assert job.pictures == 1 and job.reasons["picture_refused"] == 1  # the .txt file


def test_each_message_cites_its_place_in_the_mailbox(case):
    job = _import(case, "thunderbird.mbox")
    lines = dict(Message.objects.values_list("element", "line"))
    assert lines == {1: 1, 2: 20, 4: 43, 5: 70, 8: 93}  # the message's "From " line
    raw = (FILES / "thunderbird.mbox").read_text().splitlines()
    assert all(raw[line - 1].startswith("From - ") for line in lines.values())
    assert job.parser_version == mail.PARSER_VERSION
    assert custody.verify_chain().ok


def test_the_same_mailbox_again_adds_nothing(case):
    first = _import(case, "thunderbird.mbox")
    again = _import(case, "thunderbird.mbox")
    assert again.added == 0 and again.already_there == first.added == 5
    assert Message.objects.count() == 5


# --- Google Takeout, and a single message -----------------------------------------------------


def test_a_google_takeout_mailbox(case):
    job = _import(case, "takeout.mbox")
    assert job.description == "a Gmail mailbox from Google Takeout"
    received, sent = Message.objects.order_by("element")
    assert received.body == "I know you moved. I know the street. \U0001f600"  # the plain part
    assert received.sent_at.isoformat() == "2024-05-08T10:00:00+00:00"
    assert received.details["headers"][1] == ["X-Gmail-Labels", "Inbox,Opened"]
    # The next "From " line follows the last body line directly: still a new message.
    assert (sent.line, sent.direction, sent.body) == (25, "out", "Leave me alone.\n")


def test_a_single_eml_message_with_windows_line_ends(case):
    job = _import(case, "sam.eml")
    assert job.format == "eml" and job.source.content_type == "message/rfc822"
    message = Message.objects.get()
    assert (message.element, message.line) == (1, 1)
    assert message.contact_name == "Sám" and message.direction == "in"
    assert message.sent_at.isoformat() == "2024-05-09T07:00:00+00:00"  # "-0000": UTC
    assert message.details["headers"][1] == ["From", "=?utf-8?q?S=C3=A1m?= <sam@example.org>"]


# --- DKIM ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signing_key():
    """A key pair made for the test: the private key in PEM, the public key as its TXT record."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"


KEY_NAME = "mail2024._domainkey.example.org"
UNSIGNED = (
    b"From: Sam Jones <sam@example.org>\r\nTo: alex@example.net\r\nSubject: Signed\r\n"
    b"Date: Fri, 10 May 2024 09:00:00 +0000\r\nMessage-ID: <signed-1@example.org>\r\n\r\n"
    b"I am not going away.\r\nFrom now on you will see me every day.\r\n"
)


def _signed(private: bytes, message: bytes = UNSIGNED) -> bytes:
    headers = [b"from", b"to", b"subject", b"date", b"message-id"]
    return dkim.sign(message, b"mail2024", b"example.org", private, include_headers=headers) + (
        message
    )


def _dkim(content: bytes, **options) -> tuple[str, str]:
    (item,) = _items(content, **options)
    return item.details["dkim"], item.details["dkim_domain"]


def test_a_dkim_signature_verifies_with_the_key_supplied(signing_key):
    private, record = signing_key
    signed = _signed(private)
    assert _dkim(signed, dkim_keys={KEY_NAME: record}) == ("verified", "example.org")
    altered = signed.replace(b"every day", b"every week")
    assert _dkim(altered, dkim_keys={KEY_NAME: record}) == ("failed", "example.org")
    # No key: the network is never asked, so the signature is not checked.
    assert _dkim(signed) == ("not checked", "example.org")
    assert _dkim(signed, dkim_keys={"other._domainkey.example.org": record})[0] == "not checked"
    assert _dkim(UNSIGNED, dkim_keys={KEY_NAME: record}) == ("no signature", "")


def test_a_signed_message_in_a_mailbox_verifies_once_its_from_lines_are_unquoted(signing_key):
    private, record = signing_key
    signed = _signed(private).replace(b"\r\n", b"\n")
    mailbox = b"From - Fri May 10 09:00:00 2024\n" + signed.replace(b"\nFrom now", b"\n>From now")
    items = _items(mailbox + b"\n", MboxReader, dkim_keys={KEY_NAME: record})
    assert items[0].details["dkim"] == "verified"


def test_the_dkim_result_is_kept_with_the_imported_message(case, signing_key):
    private, record = signing_key
    upload = SimpleUploadedFile("signed.eml", _signed(private), "message/rfc822")
    job = message_import_receive(case=case, upload=upload)
    job.options["dkim_keys"] = {KEY_NAME: record}
    job.save()
    message_import_choose(job=job, keys=[address_key("email", SAM, job.region)])
    message_import_run(job=job)
    message = Message.objects.get()
    assert message.details["dkim"] == "verified"
    assert message.details["dkim_domain"] == "example.org"
    assert message.details["headers"][0][0] == "DKIM-Signature"


def test_without_a_key_the_import_keeps_the_signature_as_not_checked(case, signing_key, tmp_path):
    path = tmp_path / "signed.eml"
    path.write_bytes(_signed(signing_key[0]))
    import_file(case=case, path=path, numbers=[], addresses=[SAM])
    assert Message.objects.get().details["dkim"] == "not checked"


# --- damaged and large messages ---------------------------------------------------------------


def test_a_message_past_the_size_limit_is_skipped_and_the_rest_read(monkeypatch):
    monkeypatch.setattr(mail, "MAX_MESSAGE_BYTES", 4000)
    big = b"".join(b"line %d of a very long message\n" % n for n in range(400))
    mailbox = (
        b"From - Mon May 06 09:30:00 2024\nFrom: sam@example.org\nTo: alex@example.net\n"
        b"Date: Mon, 6 May 2024 10:30:00 +0100\n\n" + big + b"\n"
    ) + (FILES / "takeout.mbox").read_bytes()
    items = _items(mailbox)
    assert isinstance(items[0], SkippedItem) and items[0].reason == "too_large"
    assert [item.line for item in items] == [1, 407, 431]
    assert all(isinstance(item, MessageItem) for item in items[1:])


def test_an_eml_file_past_the_size_limit_is_skipped(monkeypatch):
    monkeypatch.setattr(mail, "MAX_MESSAGE_BYTES", 100)
    (item,) = _items((FILES / "sam.eml").read_bytes())
    assert isinstance(item, SkippedItem) and item.reason == "too_large"


def test_a_message_without_a_sender_is_skipped_with_its_reason():
    content = b"From - Mon May 06 09:30:00 2024\nTo: alex@example.net\nFrom: undisclosed\n"
    content += b"Date: Mon, 6 May 2024 10:30:00 +0100\n\nWho am I?\n"
    (item,) = _items(content, MboxReader)
    assert isinstance(item, SkippedItem) and item.reason == "no_sender"


def test_a_mailbox_is_read_one_message_at_a_time():
    content = (FILES / "thunderbird.mbox").read_bytes()
    reader = MboxReader(io.BytesIO(content))
    items = reader.items()
    first = next(items)
    assert first.element == 1 and reader.bytes_read < len(content) // 4
    assert len(list(items)) == 8 and reader.bytes_read == len(content)


def test_a_broken_copy_address_does_not_lose_the_message():
    content = (FILES / "sam.eml").read_bytes().replace(b"To: ", b"Cc: jo@\r\nTo: ", 1)
    (item,) = _items(content)
    assert item.address == SAM and item.recipients == ["alex@example.net"]
    assert ["Cc", "jo@"] in item.details["headers"]


def test_a_forwarded_message_is_named_as_an_attached_file(case, tmp_path):
    inner = (FILES / "sam.eml").read_bytes()
    path = tmp_path / "forward.eml"
    path.write_bytes(
        b"From: Sam Jones <sam@example.org>\r\nTo: alex@example.net\r\nSubject: Fwd\r\n"
        b"Date: Fri, 10 May 2024 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nSee what you wrote.\r\n--b\r\n"
        b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b--\r\n"
    )
    job = import_file(case=case, path=path, numbers=[], addresses=[SAM])
    message = Message.objects.get()
    assert message.body == "See what you wrote."
    assert message.attachments == [
        {"seq": 1, "content_type": "message/rfc822", "name": "forwarded-message.eml"}
    ]
    assert job.reasons["picture_refused"] == 1  # not a file type the evidence rules keep


@pytest.mark.parametrize(
    "written",
    [
        "Sam Jones <sam@example.org>",
        '"Jones, Sam" <sam@example.org>',
        "=?utf-8?q?S=C3=A1m?= <sam@example.org>",
        "<sam@example.org>",
        " sam@example.org ",
        "Mr. Sam Jones <sam@example.org>",  # not the usual form: read by the full parser
        "sam@example.org, Jo <jo@example.com>",
        "Sam Jones <sam@example.org> (work)",
        "Sam Jones\n <sam@example.org>",
    ],
)
def test_addresses_read_quickly_are_read_as_the_full_parser_reads_them(written):
    parsed = policy.default.header_fetch_parse("To", written).addresses
    assert _addresses([["To", written]], "to") == [(a.addr_spec, a.display_name) for a in parsed]


def test_the_users_own_mail_to_others_is_never_kept_when_the_user_names_their_address(case):
    job = import_file(
        case=case,
        path=FILES / "thunderbird.mbox",
        numbers=[],
        addresses=[SAM],
        me="alex@example.net",
    )
    kept = dict(Message.objects.values_list("element", "direction"))
    assert kept == {1: "in", 2: "out", 4: "in", 5: "in", 8: "out"}
    assert not Message.objects.filter(subject="Coffee?").exists()  # the user's mail to Jo
    assert job.reasons["other_number"] == 2


def test_a_file_name_written_in_mime_words_is_decoded():
    content = (
        b"From: sam@example.org\nDate: Fri, 10 May 2024 09:00:00 +0000\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nSee.\n'
        b'--b\nContent-Type: application/pdf; name="=?utf-8?q?r=C3=A9sum=C3=A9.pdf?="\n'
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n"
    )
    (item,) = _items(content, EmlReader)
    assert item.body == "See."
    assert item.attachments == [{"seq": 1, "content_type": "application/pdf", "name": "résumé.pdf"}]


def test_without_the_users_own_address_a_mail_to_the_person_and_others_is_not_called_sent(case):
    # Message 8 is Alex's to Mum with Sam in Cc: only the user's own address says it is hers,
    # so without it the record does not claim she sent it.
    job = import_file(case=case, path=FILES / "thunderbird.mbox", numbers=[], addresses=[SAM])
    assert job.status == MessageImport.Status.DONE
    assert not Message.objects.filter(element=8).exists()
    assert Message.objects.filter(direction="out").count() == 1  # element 2: to Sam alone
