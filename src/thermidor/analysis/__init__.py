"""Analysis: the seven answers of docs/design.md."""
