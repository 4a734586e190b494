"""Words on one line become one text region; words on other lines or far apart do not."""

from app.ml.ocr import Word, merge_into_lines


def w(text: str, x0: float, y0: float, x1: float, y1: float, c: float = 0.9) -> Word:
    return Word(text, (x0, y0, x1, y1), c)


def test_neighbouring_words_on_a_line_merge_in_reading_order():
    lines = merge_into_lines([w("BAKERY", 260, 100, 400, 140), w("FRESH", 100, 102, 230, 142)])
    assert [line.text for line in lines] == ["FRESH BAKERY"]
    assert lines[0].box == (100, 100, 400, 142)


def test_lines_stay_apart_and_come_out_top_to_bottom():
    lines = merge_into_lines([w("OPEN", 100, 300, 200, 340), w("CAFE", 100, 100, 200, 140)])
    assert [line.text for line in lines] == ["CAFE", "OPEN"]


def test_a_wide_gap_splits_a_line():
    lines = merge_into_lines([w("EXIT", 0, 0, 80, 40), w("PARKING", 400, 0, 560, 40)])
    assert sorted(line.text for line in lines) == ["EXIT", "PARKING"]


def test_confidence_is_weighted_by_text_length():
    (line,) = merge_into_lines([w("A", 0, 0, 20, 40, 0.1), w("LONGWORD", 30, 0, 200, 40, 1.0)])
    assert abs(line.confidence - (0.1 * 1 + 1.0 * 8) / 9) < 1e-9


def test_nothing_in_nothing_out():
    assert merge_into_lines([]) == []
