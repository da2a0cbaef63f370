"""`flask credit import-companies`, `import-workers` and `demo`."""

import pytest

from tests.factories import new_credit_code, new_id_number
from tests.statistics.test_worker_counts_follow_every_write import assert_figures_are_the_rows

COMPANY_HEADER = "name,credit_code,district_code,contact_name,contact_phone"
WORKER_HEADER = "name,id_number,phone,photo_url,service_types,skills,years_of_experience,company_credit_code"


def write(tmp_path, name, header, *rows):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_companies_are_imported_then_updated_by_credit_code(cli, client, operator, tmp_path):
    code = new_credit_code()
    first = write(tmp_path, "c.csv", COMPANY_HEADER, f"广州好家政有限公司,{code},440106,王经理,020-12345678")
    result = cli("credit", "import-companies", first)
    assert result.exit_code == 0, result.output
    assert "created: 1" in result.output
    second = write(tmp_path, "c2.csv", COMPANY_HEADER, f"广州好家政有限公司,{code},天河区,李经理,020-12345678")
    assert "updated: 1" in cli("credit", "import-companies", second).output
    listing = client.get("/api/v1/companies", query_string={"district": "440106"}, headers=operator).json["items"]
    assert [(c["name"], c["contact_name"], c["grade"]) for c in listing] == [("广州好家政有限公司", "李经理", "A")]


def test_a_file_with_an_invalid_row_imports_nothing_and_names_the_line(cli, client, tmp_path):
    path = write(
        tmp_path,
        "c.csv",
        COMPANY_HEADER,
        f"好家政,{new_credit_code()},440106,,",
        "坏家政,91350100M000100Y44,440106,,",
        f"远家政,{new_credit_code()},999999,,",
    )
    result = cli("credit", "import-companies", path)
    assert result.exit_code != 0
    assert "rejected line 3: credit_code: the check character (GB 32100) does not match" in result.output
    assert "rejected line 4: district_code" in result.output
    assert client.get("/api/v1/companies").json["total"] == 0


def test_skip_invalid_imports_the_valid_rows(cli, client, tmp_path):
    path = write(tmp_path, "c.csv", COMPANY_HEADER, f"好家政,{new_credit_code()},440106,,", "坏家政,bad,440106,,")
    result = cli("credit", "import-companies", path, "--skip-invalid")
    assert result.exit_code == 0 and "created: 1" in result.output and "rejected: 1" in result.output
    assert client.get("/api/v1/companies").json["total"] == 1


def test_workers_are_imported_as_applicants_with_the_same_rules_as_the_api(
    app, cli, client, operator, isolated, tmp_path
):
    code = new_credit_code()
    cli("credit", "import-companies", write(tmp_path, "c.csv", COMPANY_HEADER, f"好家政,{code},440106,,"))
    good, taken = new_id_number(), new_id_number()
    client.post("/api/v1/workers", json={"name": "已登记", "id_number": taken}, headers=operator)
    path = write(
        tmp_path,
        "w.csv",
        WORKER_HEADER,
        f"陈美玲,{good},13800000000,,保洁;育婴,收纳,3,{code}",
        f"李四,{good},,,,,,",
        "王五,110105194912310021,,,,,,",
        f"赵六,{taken},,,,,,",
        f"钱七,{new_id_number()},,,,,,{new_credit_code()}",
    )
    result = cli("credit", "import-workers", path)
    assert result.exit_code != 0
    assert "line 3: id_number: duplicate of line 2" in result.output
    assert "line 4: id_number: the check character" in result.output
    assert "line 5: id_number: a worker with this ID number is already registered" in result.output
    assert "line 6: company_credit_code: no company" in result.output
    assert good not in result.output and taken not in result.output
    result = cli("credit", "import-workers", path, "--skip-invalid")
    assert "workers created: 1" in result.output
    company_id = client.get("/api/v1/companies").json["items"][0]["id"]
    imported = isolated.exec_driver_sql(
        "SELECT w.company_id, w.years_of_experience, c.state FROM workers w JOIN certificates c ON c.worker_id = w.id"
        " WHERE w.company_id IS NOT NULL"
    ).all()
    assert [tuple(row) for row in imported] == [(company_id, 3, "applied")]
    assert_figures_are_the_rows(client, operator, app, "imported")


def test_a_dry_run_saves_nothing(cli, client, tmp_path):
    path = write(tmp_path, "c.csv", COMPANY_HEADER, f"好家政,{new_credit_code()},440106,,")
    result = cli("credit", "import-companies", path, "--dry-run")
    assert "Dry run" in result.output
    assert client.get("/api/v1/companies").json["total"] == 0


def test_the_demo_loads_green_yellow_and_red_workers_once_each_yellow_saying_why(cli, client):
    result = cli("credit", "demo")
    assert result.exit_code == 0, result.output
    scanned = {}
    for line in result.output.splitlines()[1:]:
        colour, name, url = line.split()
        scanned[name] = client.get(f"/api/v1/scan/{url.rsplit('/', 1)[1]}").json
        assert scanned[name]["colour"] == colour
    assert [scanned[name]["colour"] for name in ("演示绿", "演示黄", "演示红")] == ["green", "yellow", "red"]
    assert [r["code"] for r in scanned["演示保险过期"]["reasons"]] == ["insurance_expired"]
    assert [r["code"] for r in scanned["演示核查中"]["reasons"]] == ["criminal_record_pending"]
    assert scanned["演示绿"]["background_check"].startswith("无犯罪记录（核查于 ")
    names = [c["name"] for c in client.get("/api/v1/companies").json["items"]]
    assert len(names) == 2 and all(name.startswith("【演示】") for name in names)
    assert cli("credit", "demo").output == result.output


def test_the_demo_s_green_worker_has_a_photo_the_others_show_there_is_none(cli, client):
    urls = {line.split()[0]: line.split()[-1] for line in cli("credit", "demo").output.splitlines()[1:]}
    scans = {colour: client.get(f"/api/v1/scan/{url.rsplit('/', 1)[1]}").json for colour, url in urls.items()}
    photo = client.get(scans["green"]["photo_url"].removeprefix("http://127.0.0.1:5000"))
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert scans["yellow"]["photo_url"] is None
    assert "未上传照片，请核对证件" in client.get(urls["yellow"].removeprefix("http://127.0.0.1:5000")).get_data(
        as_text=True
    )


@pytest.fixture
def production_cli(app, isolated):
    app.config["APP_ENV"] = "production"
    yield app.test_cli_runner()
    app.config["APP_ENV"] = "test"


def test_the_demo_is_refused_in_production(production_cli, client):
    result = production_cli.invoke(args=["credit", "demo"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output
    assert client.get("/api/v1/companies").json["total"] == 0
