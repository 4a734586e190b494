from app.vectors.ivf import choose_nlist, needs_retraining


def test_lists_are_retrained_when_the_library_about_doubles():
    for trained_on in (10_000, 100_000, 1_000_000):
        nlist = choose_nlist(trained_on)
        assert not needs_retraining(nlist, trained_on)
        assert not needs_retraining(nlist, int(trained_on * 1.8))
        assert needs_retraining(nlist, int(trained_on * 2.1))


def test_at_the_largest_list_count_there_is_nothing_to_retrain_for():
    assert not needs_retraining(choose_nlist(10_000_000), 40_000_000)


def test_an_ivf_index_of_whole_vectors_is_trained_again_in_fewer_bits():
    from app.vectors.index_policy import wanted_action

    assert wanted_action("ivf", 300_000, choose_nlist(300_000), 200_000, encoded=False) == "train"
    assert wanted_action("ivf", 300_000, choose_nlist(300_000), 200_000, encoded=True) == "keep"
    assert wanted_action("ivf", 90_000, choose_nlist(300_000), 200_000, encoded=False) == "flat"
