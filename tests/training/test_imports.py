"""`flask training import-questions` (CSV or XLSX) and `import-results` (CSV): every row validated
and reported by line; a file with a bad row imports nothing unless told to skip bad rows."""

from openpyxl import Workbook

from tests.factories import LAST_MONTH, YESTERDAY, new_id_number

QUESTION_HEADER = "kind,text,options,answer,tags,difficulty"
RESULT_HEADER = "id_number,course_id,hours,score,date"


def write(tmp_path, name, header, *rows):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def bank(client, operator, course):
    return client.get(f"/api/v1/training/courses/{course['id']}/questions", headers=operator).json


def test_a_question_file_with_a_bad_row_imports_nothing_and_names_the_line(
    cli, client, operator, make_course, tmp_path
):
    course = make_course()
    path = write(
        tmp_path,
        "q.csv",
        QUESTION_HEADER,
        "单选题,入户前应先做什么？,出示安心服务证;直接进门;脱鞋,A,规范,1",
        "判断题,可以随意拍摄客户家中照片。,对;错,B,隐私,1",
        "单选题,两个答案的单选题,甲;乙;丙,AB,规范,2",
        "填空题,不认识的题型,甲;乙,A,规范,1",
        "多选题,选项外的答案,甲;乙,AZ,规范,1",
    )
    result = cli("training", "import-questions", str(course["id"]), path)
    assert result.exit_code != 0
    assert "rejected line 4: answer:" in result.output
    assert "rejected line 5: kind:" in result.output
    assert "rejected line 6: answer: must be option letters" in result.output
    assert bank(client, operator, course)["total"] == 0

    skipped = cli("training", "import-questions", str(course["id"]), path, "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "questions imported: 2  rejected: 3" in skipped.output
    questions = bank(client, operator, course)["items"]
    assert [(q["kind"], q["answer"], q["tags"]) for q in questions] == [
        ("single", [0], ["规范"]),
        ("true_false", [1], ["隐私"]),
    ]


def test_questions_import_from_a_spreadsheet(cli, client, operator, make_course, tmp_path):
    course = make_course()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(QUESTION_HEADER.split(","))
    sheet.append(["多选题", "哪些是清洁剂使用的安全要求？", "戴手套;通风;混用;远离儿童", "ABD", "安全;化学品", 2])
    sheet.append([None] * 6)  # a blank line in the sheet is not a row
    path = tmp_path / "q.xlsx"
    workbook.save(path)
    result = cli("training", "import-questions", str(course["id"]), str(path))
    assert result.exit_code == 0, result.output
    [question] = bank(client, operator, course)["items"]
    assert (question["kind"], question["answer"], question["difficulty"]) == ("multiple", [0, 1, 3], 2)


def test_results_from_elsewhere_import_nothing_while_a_row_is_bad(
    cli, client, operator, make_course, make_trainee, tmp_path
):
    course = make_course()
    worker = make_trainee(id_number=(known := new_id_number()))
    path = write(
        tmp_path,
        "r.csv",
        RESULT_HEADER,
        f"{known},{course['id']},8,92,{LAST_MONTH}",
        f"{new_id_number()},{course['id']},8,90,{LAST_MONTH}",
        f"{known},999999,8,90,{LAST_MONTH}",
        f"{known},{course['id']},8,120,{LAST_MONTH}",
        f"{known},{course['id']},6,85,{YESTERDAY}",
    )
    result = cli("training", "import-results", path)
    assert result.exit_code != 0
    assert "rejected line 3: id_number: no worker has this ID number" in result.output
    assert "rejected line 4: course_id: no such course" in result.output
    assert "rejected line 5: score:" in result.output
    assert "rejected line 6: worker_course: duplicate of line 2" in result.output
    assert known not in result.output  # rows are named by line, never by ID number
    certificate = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]
    assert certificate["state"] == "documents_checked"


def test_skipping_bad_rows_imports_the_result_and_moves_the_certificate(
    cli, client, operator, make_course, make_trainee, tmp_path
):
    course = make_course()
    worker = make_trainee(id_number=(known := new_id_number()))
    path = write(
        tmp_path,
        "r.csv",
        RESULT_HEADER,
        f"{known},{course['id']},8,92,{LAST_MONTH}",
        f"{known},{course['id']},x,,{LAST_MONTH}",
    )
    result = cli("training", "import-results", path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "results imported: 1  rejected: 1" in result.output
    certificate = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]
    assert (certificate["state"], certificate["training_hours"], certificate["exam_score"]) == ("exam_passed", 8, 92)
