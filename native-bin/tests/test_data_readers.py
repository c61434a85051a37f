import json
from pathlib import Path

import pytest
from conftest import has, write_jsonl

from llava_studio_worker.config import DatasetSettings
from llava_studio_worker.dataset import load_dataset, split_eval
from llava_studio_worker.errors import DataError, WorkerError
from llava_studio_worker.readers import detect_container, read_rows

needs_pyarrow = pytest.mark.skipif(not has("pyarrow"), reason="pyarrow is not installed (Debian 12 has no python3-pyarrow)")

IMAGE = {"type": "image"}


def text(t):
    return {"type": "text", "text": t}


def canonical_rows(image: str = "a.png"):
    return [
        {"messages": [{"role": "user", "content": [IMAGE, text("What is it?")]},
                      {"role": "assistant", "content": [text("A cat.")]}], "images": [image]},
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                      {"role": "assistant", "content": "Hello."}]},
    ]


def test_messages_jsonl(tmp_path: Path):
    (tmp_path / "a.png").write_bytes(b"not decoded here")
    path = write_jsonl(tmp_path / "train.jsonl", canonical_rows())
    data = load_dataset(DatasetSettings(str(path)), seed=1)
    assert [len(s.images) for s in data.train] == [1, 0]
    assert data.train[0].images[0].path == str(tmp_path / "a.png")
    assert data.train[0].messages[0]["content"] == [IMAGE, text("What is it?")]
    assert data.train[1].messages[0] == {"role": "system", "content": [text("Be brief.")]}
    assert data.summary()["text_only_samples"] == 1


def test_bad_jsonl_line_names_the_line(tmp_path: Path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"messages": []}\n{oops\n')
    with pytest.raises(DataError, match="line 2: not valid JSON"):
        read_rows(str(path))


def test_jsonl_saved_as_json_is_read(tmp_path: Path):
    path = write_jsonl(tmp_path / "d.json", canonical_rows())
    assert len(read_rows(str(path))) == 2


@pytest.mark.parametrize("name, container", [("a.jsonl", "jsonl"), ("a.json", "json"), ("a.parquet", "parquet"),
                                             ("a.arrow", "arrow")])
def test_container_detection(tmp_path: Path, name, container):
    (tmp_path / name).write_text("")
    assert detect_container(str(tmp_path / name)) == container


def test_unknown_file_type_and_missing_path(tmp_path: Path):
    (tmp_path / "a.csv").write_text("")
    with pytest.raises(DataError, match="unknown dataset file type '.csv'"):
        detect_container(str(tmp_path / "a.csv"))
    with pytest.raises(DataError, match="dataset not found"):
        detect_container(str(tmp_path / "nope.jsonl"))


def test_missing_images_are_dropped_and_counted(tmp_path: Path):
    path = write_jsonl(tmp_path / "t.jsonl", canonical_rows("missing.png"))
    data = load_dataset(DatasetSettings(str(path)), seed=1)
    assert len(data.train) == 1
    assert data.dropped.summary() == [{"reason": "missing image", "count": 1, "rows": [0]}]


def test_no_usable_rows_explains_why(tmp_path: Path):
    path = write_jsonl(tmp_path / "t.jsonl", [canonical_rows("missing.png")[0]])
    with pytest.raises(DataError, match=r"no usable rows \(missing image x1\)") as error:
        load_dataset(DatasetSettings(str(path)), seed=1)
    assert "images_dir" in error.value.hint


def test_format_mismatch_is_reported(tmp_path: Path):
    path = write_jsonl(tmp_path / "t.jsonl", canonical_rows())
    with pytest.raises(DataError, match="format is llava-json"):
        load_dataset(DatasetSettings(str(path), format="llava-json"), seed=1)


def test_every_format_name_the_preview_reports_is_accepted(tmp_path: Path):
    """The dataset preview and `llava-studio validate` name llava-jsonl and messages-json too."""
    (tmp_path / "a.png").write_bytes(b"not decoded here")
    llava = [{"id": "1", "image": "a.png", "conversations": [{"from": "human", "value": "<image>\nWhat?"},
                                                             {"from": "gpt", "value": "A cat."}]}]
    llava_jsonl = write_jsonl(tmp_path / "l.jsonl", llava)
    messages_json = tmp_path / "m.json"
    messages_json.write_text(json.dumps(canonical_rows()))
    assert len(load_dataset(DatasetSettings(str(llava_jsonl), format="llava-jsonl"), seed=1).train) == 1
    assert len(load_dataset(DatasetSettings(str(messages_json), format="messages-json"), seed=1).train) == 2
    with pytest.raises(DataError, match="format is messages-json"):
        load_dataset(DatasetSettings(str(llava_jsonl), format="messages-json"), seed=1)


def test_eval_split_is_seeded_and_disjoint():
    samples = list(range(100))
    train, held = split_eval(samples, 0.1, seed=7)
    assert len(held) == 10 and not set(train) & set(held)
    assert split_eval(samples, 0.1, seed=7) == (train, held)
    assert split_eval(samples, 0.1, seed=8)[1] != held
    assert split_eval([1], 0.5, seed=1) == ([1], [])


def test_eval_path(tmp_path: Path):
    (tmp_path / "a.png").write_bytes(b"x")
    train = write_jsonl(tmp_path / "train.jsonl", canonical_rows())
    evals = write_jsonl(tmp_path / "eval.jsonl", canonical_rows()[1:])
    data = load_dataset(DatasetSettings(str(train), eval_path=str(evals)), seed=1)
    assert (len(data.train), len(data.eval)) == (2, 1)


# --- real files written by other tools -------------------------------------------------------------

def test_golden_llava_json_needs_images_dir(golden: Path):
    folder = golden / "datasets/llava_format_lmms_finetune/example_data"
    path = str(folder / "single_image_has_text_only.json")
    without = load_dataset(DatasetSettings(path, format="llava-json"), seed=1)
    assert len(without.train) == 2 and without.dropped.summary() == [{"reason": "missing image", "count": 2,
                                                                      "rows": [0, 1]}]
    data = load_dataset(DatasetSettings(path, format="llava-json", images_dir=str(folder / "images")), seed=1)
    assert len(data.train) == 4 and data.dropped.total == 0
    first = data.train[0]
    assert first.messages[0] == {"role": "system", "content": [text("Answer the following questions about the image.")]}
    assert first.messages[1]["content"] == [IMAGE, text("Who are the people in this image?")]
    assert [m["role"] for m in first.messages] == ["system", "user", "assistant", "user", "assistant"]
    assert first.images[0].path == str(folder / "images" / "bm.jpg")
    assert [len(s.images) for s in data.train] == [1, 1, 0, 0]


def test_golden_llava_multi_image_with_missing_files(golden: Path):
    folder = golden / "datasets/llava_format_lmms_finetune/example_data"
    data = load_dataset(DatasetSettings(str(folder / "multi_images.json"), images_dir=str(folder / "images")), seed=1)
    assert len(data.train) == 1 and len(data.train[0].images) == 2
    assert data.dropped.counts == {"missing image": 1}


def test_golden_llamafactory_messages(golden: Path):
    path = golden / "datasets/sharegpt_llamafactory/mllm_demo.json"
    data = load_dataset(DatasetSettings(str(path)), seed=1)
    raw = json.loads(path.read_text())
    assert len(data.train) == len(raw) and data.dropped.total == 0
    first = data.train[0]
    assert first.messages[2]["content"] == [text("What are they doing?"), IMAGE]
    assert [Path(i.path).name for i in first.images] == ["1.jpg", "1.jpg"]


@needs_pyarrow
def test_golden_save_to_disk_arrow_matches_its_parquet(golden: Path):
    folder = golden / "datasets/arrow_save_to_disk_medvoyage"
    arrow = load_dataset(DatasetSettings(str(folder)), seed=1)
    parquet = load_dataset(DatasetSettings(str(folder / "hub_parquet")), seed=1)
    assert arrow.rows_read == parquet.rows_read == 161
    assert [s.messages for s in arrow.train] == [s.messages for s in parquet.train]
    assert len(arrow.train) == 161 - arrow.dropped.total
    assert {m["role"] for s in arrow.train for m in s.messages} <= {"system", "user", "assistant"}


@needs_pyarrow
def test_golden_parquet_with_only_images_has_no_conversations(golden: Path):
    path = golden / "datasets/parquet_embedded_images_fewshot_cat/train-00000-of-00001.parquet"
    rows = read_rows(str(path))
    assert len(rows) == 160 and rows[0]["image"]["bytes"][:2] == b"\xff\xd8"
    with pytest.raises(DataError, match="unknown row shape x160"):
        load_dataset(DatasetSettings(str(path)), seed=1)


@needs_pyarrow
def test_hf_parquet_with_embedded_images(tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"images": [{"bytes": b"\x89PNG fake", "path": "x.png"}],
             "messages": [{"role": "user", "content": [{"type": "image", "text": None}, {"type": "text", "text": "Q?"}]},
                          {"role": "assistant", "content": [{"type": "text", "text": "A."}]}]}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "train-00000.parquet")
    data = load_dataset(DatasetSettings(str(tmp_path), format="hf-parquet"), seed=1)
    assert data.train[0].images[0].data == b"\x89PNG fake"
    assert data.train[0].messages[0]["content"] == [IMAGE, text("Q?")]


def test_pyarrow_missing_is_a_clear_error(tmp_path: Path):
    if has("pyarrow"):
        pytest.skip("pyarrow is installed here")
    (tmp_path / "a.parquet").write_bytes(b"PAR1")
    with pytest.raises(WorkerError, match="pyarrow is not installed in .*: pip install pyarrow") as error:
        read_rows(str(tmp_path / "a.parquet"))
    assert error.value.exit_code == 3
