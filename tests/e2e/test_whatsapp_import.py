"""Importing a WhatsApp chat on a phone: choose the exported ZIP (the chat and a photo), read
what was found, confirm the time zone the phone was in and which sender is the person and which
is you, read the preview, import, and find the messages on the timeline and in the dossier with
what was confirmed printed beside the transcript."""

import io
import re
import zipfile

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from incidents.models import Case, Message, MessageImport
from incidents.services import record_save
from tests.e2e.test_dossier import JOB_TIMEOUT, check, open_dossier_page, pdf_text

pytestmark = pytest.mark.browser

CHAT = """03/05/2024, 09:12 - Messages and calls are end-to-end encrypted. No one outside of this \
chat, not even WhatsApp, can read or listen to them. Tap to learn more.
03/05/2024, 09:15 - Sam: Why did you block me?
03/05/2024, 09:16 - Sam: IMG-20240503-WA0001.jpg (file attached)
That's your front door.
03/05/2024, 21:40 - Alex: Please stop contacting me.
14/05/2024, 23:05 - Sam: I know where you are.
"""


def _chat_zip(tmp_path) -> str:
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "peru").save(photo, "JPEG")
    path = tmp_path / "WhatsApp Chat with Sam.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("WhatsApp Chat with Sam.txt", CHAT)
        archive.writestr("IMG-20240503-WA0001.jpg", photo.getvalue())
    return str(path)


def test_on_a_phone_one_imports_a_whatsapp_chat_and_confirms_the_zone_and_the_senders(
    phone: Page, a11y, sign_in, alice, live_server, settings, tmp_path
):
    settings.DOSSIER_WORKERS = 1
    alice.time_zone = "Europe/London"
    alice.save()
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam Example"
    record_save(record=case)
    sign_in(phone, alice)

    phone.goto("/")
    phone.get_by_role("link", name="Import messages and calls").tap()
    expect(phone.get_by_text(re.compile("It reads: .*WhatsApp chat export"))).to_be_visible()
    check(a11y, phone)
    phone.get_by_label("The export file").set_input_files(_chat_zip(tmp_path))
    phone.get_by_role("button", name="Send and read the file").tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Which names in the chat are the person's?"
    )
    expect(
        phone.get_by_text(
            "A WhatsApp chat from an Android phone, 4 messages between 3 May and 14 May 2024, "
            "2 people."
        )
    ).to_be_visible()
    check(a11y, phone)
    phone.get_by_role("checkbox", name=re.compile(r"^Sam: 3 messages")).check()
    zone = phone.get_by_label("The time zone the phone was in")
    expect(zone).to_have_value("Europe/London")  # the user's own, offered first
    zone.select_option("Europe/Berlin")
    me = phone.get_by_label("Which of these senders is you? (optional)")
    expect(me).to_have_value("other")  # in a chat of two: the one not ticked
    phone.get_by_role("button", name="See what will be added").tap()

    expect(
        phone.get_by_text("You said “Sam” in this file is the person of concern.")
    ).to_be_visible()
    expect(phone.get_by_text("You said “Alex” in this file is you.")).to_be_visible()
    expect(phone.get_by_text(re.compile("the phone's clock in Europe/Berlin"))).to_be_visible()
    # 09:15 on the phone in Berlin (summer time) is 08:15 in London.
    expect(
        phone.get_by_text(re.compile(r"3 May 2024, 08:15 · from Sam: Why did you block me"))
    ).to_be_visible()
    check(a11y, phone)
    # Going back to choose again keeps what was ticked and answered.
    phone.get_by_role("button", name="Choose again").tap()
    expect(phone.get_by_role("checkbox", name=re.compile(r"^Sam: 3 messages"))).to_be_checked()
    expect(phone.get_by_label("The time zone the phone was in")).to_have_value("Europe/Berlin")
    expect(me).to_have_value("other")
    phone.get_by_role("button", name="See what will be added").tap()
    expect(phone.get_by_text(re.compile("the phone's clock in Europe/Berlin"))).to_be_visible()
    phone.get_by_role("button", name="Import them").tap()

    expect(phone.get_by_text("4 items added.")).to_be_visible(timeout=JOB_TIMEOUT)
    check(a11y, phone)
    job = MessageImport.objects.get()
    assert job.options["time_zone"] == "Europe/Berlin" and job.options["me"] == "name:alex"
    assert job.pictures == 1  # the photo in the ZIP, an exhibit of its message
    assert Message.objects.get(body="Please stop contacting me.").direction == "out"

    phone.goto("/timeline/")
    line = phone.get_by_role("link", name=re.compile(r"2 messages from Sam Example; 1 message to"))
    expect(line).to_be_visible()
    check(a11y, phone)
    line.tap()
    expect(phone.get_by_text("Why did you block me?")).to_be_visible()
    check(a11y, phone)

    open_dossier_page(phone, a11y, live_server)
    phone.get_by_role("button", name="Make the PDF dossier").tap()
    download_button = phone.get_by_role("link", name="Download the dossier")
    expect(download_button).to_be_visible(timeout=JOB_TIMEOUT)
    check(a11y, phone)
    with phone.expect_download() as download_info:
        download_button.tap()
    text = " ".join(pdf_text(download_info.value.path().read_bytes()).split())
    for words in [
        "Why did you block me?",
        "WhatsApp message",
        "said the phone was set to Europe/",
        "said “Sam” in this file is the person of concern",
        "said “Alex” in this file is themselves",
    ]:
        assert words in text, f"{words!r} is not in the dossier"
