"""Rubric validation: the shipped rubric is valid; bad files name the file, the path and a fix."""

from pathlib import Path

import pytest
import yaml

from trainer.errors import RubricError, UnknownDetectorError
from trainer.scoring.rubric import Scale, find_rubric, load_rubric

from ..conftest import REPO

SHIPPED = REPO / "rubrics" / "customer_service.yaml"


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def shipped_data() -> dict:
    return yaml.safe_load(SHIPPED.read_text())


def test_rubric_shipped_has_the_seven_sections_with_guidance_and_detectors():
    rubric = load_rubric(SHIPPED)
    assert [s.id for s in rubric.sections] == [
        "empathy",
        "clarity",
        "resolution",
        "follow_up",
        "call_handling",
        "responsiveness",
        "customer_outcome",
    ]
    for _, criterion in rubric.criteria():
        assert criterion.guidance.strip()
        assert criterion.detector is not None
    assert rubric.ref == "customer_service@4"


def test_rubric_find_by_id():
    assert find_rubric("customer_service").id == "customer_service"
    with pytest.raises(RubricError, match="no rubric with id 'nope'"):
        find_rubric("nope")


def test_rubric_missing_field_names_the_path(tmp_path):
    data = shipped_data()
    del data["sections"][1]["criteria"][0]["guidance"]
    with pytest.raises(RubricError) as info:
        load_rubric(write(tmp_path, data))
    text = info.value.format()
    assert "bad.yaml" in text and "sections.1.criteria.0.guidance" in text
    assert "add this field" in text


def test_rubric_negative_weight(tmp_path):
    data = shipped_data()
    data["sections"][0]["weight"] = -1
    with pytest.raises(RubricError, match=r"sections\.0\.weight.*greater than 0"):
        load_rubric(write(tmp_path, data))


def test_rubric_unknown_detector_suggests_the_close_one(tmp_path):
    data = shipped_data()
    data["sections"][0]["criteria"][0]["detector"]["name"] = "empathy.acknowledgment.v1"
    with pytest.raises(UnknownDetectorError) as info:
        load_rubric(write(tmp_path, data))
    text = info.value.format()
    assert text.startswith("[E101]")
    assert "sections.0.criteria.0.detector" in text
    assert "empathy.acknowledgement.v1" in text


def test_rubric_bad_detector_params(tmp_path):
    data = shipped_data()
    data["sections"][0]["criteria"][0]["detector"]["params"] = {"within_turns": 0}
    with pytest.raises(RubricError, match=r"detector\.params.*within_turns"):
        load_rubric(write(tmp_path, data))


def test_rubric_unknown_key_is_refused(tmp_path):
    data = shipped_data()
    data["sections"][0]["criteria"][0]["wieght"] = 2
    with pytest.raises(RubricError, match="wieght.*remove it or check its spelling"):
        load_rubric(write(tmp_path, data))


def test_rubric_duplicate_criterion_ids(tmp_path):
    data = shipped_data()
    data["sections"][1]["criteria"][0]["id"] = "acknowledges-feelings"
    with pytest.raises(RubricError, match="used in two sections"):
        load_rubric(write(tmp_path, data))


def test_rubric_bad_auto_fail_value(tmp_path):
    data = shipped_data()
    data["sections"][0]["criteria"][0]["auto_fail"] = "everything"
    with pytest.raises(RubricError, match="auto_fail"):
        load_rubric(write(tmp_path, data))


def test_rubric_invalid_yaml_names_line_and_column(tmp_path):
    path = write(tmp_path, "id: x\nversion: 1\nsections: [\n  - broken: : :\n")
    with pytest.raises(RubricError, match=r"bad\.yaml:\d+:\d+: not valid YAML"):
        load_rubric(path)


def test_rubric_not_a_mapping(tmp_path):
    with pytest.raises(RubricError, match="must be a mapping"):
        load_rubric(write(tmp_path, "- just\n- a list\n"))


def test_rubric_missing_file(tmp_path):
    with pytest.raises(RubricError, match="file not found"):
        load_rubric(tmp_path / "missing.yaml")


def test_rubric_scale_normalises_points():
    scale = Scale(kind="points", points=[0, 1, 2, 3])
    assert scale.normalise(2) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        scale.normalise(4)
    with pytest.raises(ValueError):
        Scale(kind="binary", points=[0, 2])


def test_rubric_load_is_remembered_until_the_file_changes(tmp_path):
    """A rubric file is parsed once while unchanged (every posted chat loads it); the shared
    rubric cannot be changed by a caller, and an edit of the file is read at once."""
    import os
    import shutil

    from trainer.scoring.rubric import RUBRICS_DIR, _parsed_rubric, load_rubric

    path = tmp_path / "rubric.yaml"
    shutil.copy(RUBRICS_DIR / "customer_service.yaml", path)
    _parsed_rubric.cache_clear()
    first, second = load_rubric(path), load_rubric(path)
    assert _parsed_rubric.cache_info().hits == 1
    assert first is second
    with pytest.raises(ValueError):
        first.sections[0].title = "changed by one caller"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"title: {second.title}", "title: Edited rubric", 1))
    os.utime(path, ns=(1, 1))  # a different modification time even on a coarse clock
    assert load_rubric(path).title == "Edited rubric"
