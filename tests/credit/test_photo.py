"""The worker's photo: uploaded by operators and the worker's company admin, checked as a real
image, stripped of its EXIF (location), re-encoded and shrunk, and shown at the door through the
安心碼 only, for as long as the code is valid."""

import io
import struct
import zlib

import pytest
from PIL import Image

from tests.factories import PDF, image_bytes, stored_files, token_of, upload_part


@pytest.fixture
def put_photo(client, operator):
    def put(worker_id, data, headers=None, filename="me.jpg"):
        return client.put(
            f"/api/v1/workers/{worker_id}/photo",
            data={"file": upload_part(data, filename)},
            content_type="multipart/form-data",
            headers=headers or operator,
        )

    return put


def photo_path(scan: dict) -> str:
    return scan["photo_url"].removeprefix("http://127.0.0.1:5000")


def scanned(client, worker) -> dict:
    return client.get(f"/api/v1/scan/{token_of(worker)}").json


def test_a_photo_with_gps_in_its_exif_is_shown_without_it(make_issued, put_photo, client):
    worker = make_issued(photo_url=None)
    original = image_bytes("JPEG", (1200, 1600), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test image does carry a location

    response = put_photo(worker["id"], original)
    assert response.status_code == 200, response.json
    assert response.json["photo_uploaded"] is True

    scan = scanned(client, worker)
    assert scan["photo_url"] == f"http://127.0.0.1:5000/api/v1/scan/{token_of(worker)}/photo.jpg"
    served = client.get(photo_path(scan))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "JPEG" and max(image.size) == 600 and image.size == (450, 600)
    assert not image.getexif() and "exif" not in image.info
    assert b"TestPhone" not in served.data


def test_a_sideways_phone_photo_is_shown_upright(make_issued, put_photo, client):
    worker = make_issued()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; rotate 90° clockwise to view
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((1000, 800)).convert("RGB").save(buffer, "JPEG", exif=exif)
    put_photo(worker["id"], buffer.getvalue())
    image = Image.open(io.BytesIO(client.get(photo_path(scanned(client, worker))).data))
    assert image.size == (480, 600)  # portrait, as the person stood


@pytest.mark.parametrize(
    "data",
    [image_bytes("PNG", transparent=True), image_bytes("WEBP")],
    ids=["png with transparency", "webp"],
)
def test_png_and_webp_photos_are_kept_as_jpeg(make_issued, put_photo, client, data):
    worker = make_issued()
    assert put_photo(worker["id"], data, filename="me.png").status_code == 200
    served = client.get(photo_path(scanned(client, worker)))
    assert Image.open(io.BytesIO(served.data)).format == "JPEG"


@pytest.mark.parametrize(
    "data",
    [PDF, image_bytes("GIF"), b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 100, b""],
    ids=["pdf", "gif", "jpeg header, no image", "empty"],
)
def test_what_is_not_a_jpeg_png_or_webp_image_is_a_415_naming_the_file(make_issued, put_photo, data):
    worker = make_issued()
    response = put_photo(worker["id"], data)
    assert response.status_code == 415, response.json
    assert response.json["code"] == "unsupported_media_type" and list(response.json["errors"]) == ["file"]


def claims_size(png: bytes, width: int, height: int) -> bytes:
    """The PNG with its header claiming another size (and a valid checksum): a decompression bomb
    in miniature, small on the wire and gigantic once decoded."""
    header = struct.pack(">II", width, height) + png[24:29]
    return png[:16] + header + struct.pack(">I", zlib.crc32(b"IHDR" + header)) + png[33:]


@pytest.mark.parametrize(
    "width, height", [(8_000, 6_000), (50_000, 50_000)], ids=["over PHOTO_MAX_PIXELS", "over Pillow's own limit"]
)
def test_a_photo_claiming_too_many_pixels_is_refused_before_it_is_decoded(make_issued, put_photo, width, height):
    worker = make_issued()
    bomb = claims_size(image_bytes("PNG", (300, 300)), width, height)
    assert len(bomb) < 10_000
    response = put_photo(worker["id"], bomb)
    assert response.status_code == 413, response.json
    assert response.json["code"] == "too_large" and list(response.json["errors"]) == ["file"]


def test_a_photo_too_small_to_show_a_face_is_a_422(make_issued, put_photo):
    response = put_photo(make_issued()["id"], image_bytes("JPEG", (120, 160)))
    assert response.status_code == 422 and response.json["code"] == "photo_too_small"
    assert list(response.json["errors"]) == ["file"]


def test_a_photo_file_over_the_limit_is_a_413(app, make_issued, put_photo):
    response = put_photo(make_issued()["id"], b"\xff\xd8\xff" + b"0" * app.config["PHOTO_MAX_BYTES"])
    assert response.status_code == 413 and list(response.json["errors"]) == ["file"]


def test_a_new_photo_replaces_the_shown_one_and_the_old_file_goes(make_issued, put_photo, client):
    worker = make_issued()
    put_photo(worker["id"], image_bytes("JPEG"))
    first = client.get(photo_path(scanned(client, worker)))
    files_with_first = stored_files()
    put_photo(worker["id"], image_bytes("PNG", (700, 700)))
    second = client.get(photo_path(scanned(client, worker)))
    assert second.headers["ETag"] != first.headers["ETag"]
    assert Image.open(io.BytesIO(second.data)).size == (600, 600)
    assert len(stored_files()) == len(files_with_first)  # one in, one out


def test_the_photo_is_served_only_while_its_code_is_valid(make_issued, put_photo, client, step):
    worker = make_issued()
    put_photo(worker["id"], image_bytes("JPEG"))
    old_url = photo_path(scanned(client, worker))
    rotated = step(worker["id"], "rotate-code").json
    assert client.get(old_url).status_code == 404
    assert client.get(photo_path(scanned(client, rotated))).status_code == 200

    step(worker["id"], "withdraw-authorisation", {"reason": "本人撤回授权"})
    withdrawn = client.get(photo_path({"photo_url": f"/api/v1/scan/{token_of(rotated)}/photo.jpg"}))
    assert withdrawn.status_code == 404 and withdrawn.json["code"] == "not_a_valid_code"


def test_a_suspended_worker_s_photo_is_still_shown_so_the_resident_knows_whom_to_refuse(
    make_issued, put_photo, client, step
):
    worker = make_issued()
    put_photo(worker["id"], image_bytes("JPEG"))
    step(worker["id"], "suspend", {"reason": "投诉调查中"})
    scan = scanned(client, worker)
    assert scan["colour"] == "red" and client.get(photo_path(scan)).status_code == 200


def test_caches_must_ask_again_before_showing_the_photo(make_issued, put_photo, client):
    worker = make_issued()
    put_photo(worker["id"], image_bytes("JPEG"))
    url = photo_path(scanned(client, worker))
    served = client.get(url)
    assert served.headers["Cache-Control"] == "private, no-cache"
    assert served.headers["Referrer-Policy"] == "no-referrer"
    unchanged = client.get(url, headers={"If-None-Match": served.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""


def test_a_worker_without_a_photo_has_none_to_serve(make_issued, client):
    worker = make_issued(photo_url=None)
    assert scanned(client, worker)["photo_url"] is None
    response = client.get(f"/api/v1/scan/{token_of(worker)}/photo.jpg")
    assert response.status_code == 404 and response.json["code"] == "no_photo"


def test_the_scan_page_shows_the_photo_or_says_plainly_there_is_none(make_issued, put_photo, client):
    without = make_issued(photo_url=None)
    page = client.get(f"/q/{token_of(without)}").get_data(as_text=True)
    assert "未上传照片，请核对证件" in page and "<img" not in page

    with_photo = make_issued(photo_url=None)
    put_photo(with_photo["id"], image_bytes("JPEG"))
    page = client.get(f"/q/{token_of(with_photo)}").get_data(as_text=True)
    assert f'<img src="http://127.0.0.1:5000/api/v1/scan/{token_of(with_photo)}/photo.jpg"' in page
    assert "未上传照片" not in page


def test_the_worker_s_company_admin_may_upload_the_photo_and_no_other(make_company, make_applicant, put_photo, login):
    company = make_company()
    worker = make_applicant(company_id=company["id"])
    own = login("company_admin", company_id=company["id"])
    other = login("company_admin", company_id=make_company()["id"])
    assert put_photo(worker["id"], image_bytes("JPEG"), headers=own).status_code == 200
    assert put_photo(worker["id"], image_bytes("JPEG"), headers=other).status_code == 404
    assert put_photo(worker["id"], image_bytes("JPEG"), headers=login()).status_code == 403


def test_a_photo_whose_database_write_fails_leaves_no_file(make_issued, put_photo, database_refuses_the_ledger_row):
    worker = make_issued()
    files_before = stored_files()
    database_refuses_the_ledger_row()
    response = put_photo(worker["id"], image_bytes("JPEG"))
    assert response.status_code == 409, response.json
    assert stored_files() == files_before


def test_showing_the_photo_costs_the_scan_no_query(make_issued, put_photo, client, count_statements):
    without, with_photo = make_issued(photo_url=None), make_issued(photo_url=None)
    put_photo(with_photo["id"], image_bytes("JPEG"))
    costs = []
    for worker in (without, with_photo):
        with count_statements() as statements:
            assert client.get(f"/api/v1/scan/{token_of(worker)}").status_code == 200
        costs.append(len(statements))
    assert costs[0] == costs[1]


def test_fetching_photos_too_often_is_a_429(app, make_issued, put_photo, client):
    from app import create_app

    worker = make_issued()
    put_photo(worker["id"], image_bytes("JPEG"))
    limited = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SCAN_PHOTO_RATE_LIMIT": "2/minute",
        }
    ).test_client()
    url = f"/api/v1/scan/{token_of(worker)}/photo.jpg"
    answers = [limited.get(url) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"]


def test_operators_and_the_company_admin_see_the_photo_before_issue_and_each_look_is_recorded(
    make_company, make_applicant, put_photo, client, login, operator
):
    from sqlalchemy import select

    from app.extensions import db
    from credit.models import DocumentLookUp

    company = make_company()
    applicant = make_applicant(company_id=company["id"])
    url = f"/api/v1/workers/{applicant['id']}/photo.jpg"
    assert client.get(url, headers=operator).json["code"] == "no_photo"
    put_photo(applicant["id"], image_bytes("JPEG", gps=True))

    admin = login("company_admin", company_id=company["id"])
    seen = client.get(url, headers=admin)
    assert seen.status_code == 200 and seen.mimetype == "image/jpeg"
    assert seen.headers["Cache-Control"] == "private, no-store"
    assert not Image.open(io.BytesIO(seen.data)).getexif()
    assert client.get(url, headers=login("company_admin", company_id=make_company()["id"])).status_code == 404
    assert client.get(url, headers=login()).status_code == 403
    assert client.get(url).status_code == 401
    looks = db.session.execute(select(DocumentLookUp.what, DocumentLookUp.viewer_role)).all()
    assert [tuple(look) for look in looks] == [("photo", "company_admin")]
