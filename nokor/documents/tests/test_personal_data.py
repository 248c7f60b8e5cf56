"""Personal data: the holder's documents are in their export, and are kept (and still verifiable) when
the account is deleted, as the law requires."""

import json

from nokor.accounts.services import account_delete, retained_on_deletion
from nokor.documents.services import document_verify


def test_my_documents_are_in_my_data_export(login, citizen, other_citizen, issue):
    mine, theirs = issue(), issue(holder=other_citizen)
    data = json.loads(login(citizen).get("/me/data/?format=json").content)
    assert [d["code"] for d in data["documents"]] == [mine.code]
    assert data["documents"][0]["verification_data"]["address"] == "ភូមិត្រពាំងពោធិ៍"
    assert theirs.code not in json.dumps(data)


def test_deleting_the_account_keeps_the_documents_and_says_so(citizen, issue):
    document = issue()
    kept = retained_on_deletion(user=citizen)
    assert any("Issued documents" in str(item) or "ឯកសារ" in str(item) for item in kept)
    account_delete(user=citizen)
    document.refresh_from_db()
    assert document.holder_id == citizen.pk and document.holder_name
    assert document_verify(code=document.code).status == "genuine"


def test_nothing_is_said_to_be_kept_without_documents(citizen):
    assert not any("documents" in str(item).lower() for item in retained_on_deletion(user=citizen))
