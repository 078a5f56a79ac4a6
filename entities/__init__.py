"""Entities on the lists: 统一社会信用代码 found, checked and decoded, with the name beside them."""
