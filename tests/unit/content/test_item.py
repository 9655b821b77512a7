import time
import uuid

from cupola.content.item import Item, new_uuid


class TestNewUuid:
    def test_is_32_hex_digits_of_a_version_7_uuid(self):
        value = uuid.UUID(hex=new_uuid())
        assert (value.version, value.variant) == (7, uuid.RFC_4122)

    def test_starts_with_the_milliseconds_of_now(self):
        before = time.time_ns() // 1_000_000
        stamp = int(new_uuid()[:12], 16)
        assert before <= stamp <= time.time_ns() // 1_000_000

    def test_ids_made_later_sort_later(self):
        first = new_uuid()
        time.sleep(0.002)
        assert new_uuid() > first

    def test_ids_made_in_one_millisecond_differ(self):
        assert len({new_uuid() for _ in range(1000)}) == 1000


def test_an_item_is_given_a_uuid():
    assert uuid.UUID(hex=Item().uuid).version == 7
