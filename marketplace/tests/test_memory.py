import gc

import pytest

from marketplace.memory import cycle_collection_paused


@pytest.fixture
def collection_on():
    gc.enable()
    yield
    gc.enable()


def test_collection_is_off_in_the_block_and_back_after_it(collection_on):
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():
            assert not gc.isenabled()
        # The inner block found it off and leaves it off.
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collection_comes_back_when_the_block_fails(collection_on):
    @cycle_collection_paused()
    def failing():
        assert not gc.isenabled()
        raise ValueError

    with pytest.raises(ValueError):
        failing()
    assert gc.isenabled()


def test_collection_left_off_stays_off(collection_on):
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()
