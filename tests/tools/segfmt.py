"""segfmt — what the Python test tools that write segments share: the
CRC32C (Castagnoli) of docs/FORMAT.md's END lines, bit by bit (slow, small,
obviously the polynomial the spec names)."""


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF
