"""Analysis: the seven answers of DESIGN.md section 3."""
