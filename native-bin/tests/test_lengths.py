from llava_studio_worker.collate import filter_by_length
from llava_studio_worker.dataset import DropLog
from llava_studio_worker.samples import Sample
from llava_studio_worker.spans import SpanError


def test_over_long_rows_are_dropped_and_counted_never_cut():
    samples = [Sample(i, [], []) for i in range(5)]
    lengths = {0: 100, 1: 600, 2: 512, 3: "span", 4: "image"}

    def measure(sample):
        value = lengths[sample.index]
        if value == "span":
            raise SpanError("assistant text not found")
        if value == "image":
            raise OSError("cannot identify image file")
        return value

    drops = DropLog()
    kept, kept_lengths = filter_by_length(samples, measure, 512, drops)
    assert [s.index for s in kept] == [0, 2] and kept_lengths == [100, 512]
    assert drops.summary() == [{"reason": "longer than max_length 512", "count": 1, "rows": [1]},
                               {"reason": "assistant span not found", "count": 1, "rows": [3]},
                               {"reason": "unreadable image", "count": 1, "rows": [4]}]
