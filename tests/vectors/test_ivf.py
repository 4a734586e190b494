from app.vectors.ivf import choose_nlist, needs_retraining


def test_lists_are_retrained_when_the_library_about_doubles():
    for trained_on in (10_000, 100_000, 1_000_000):
        nlist = choose_nlist(trained_on)
        assert not needs_retraining(nlist, trained_on)
        assert not needs_retraining(nlist, int(trained_on * 1.8))
        assert needs_retraining(nlist, int(trained_on * 2.1))


def test_at_the_largest_list_count_there_is_nothing_to_retrain_for():
    assert not needs_retraining(choose_nlist(10_000_000), 40_000_000)
