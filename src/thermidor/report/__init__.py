"""The HTML report: the seven answers, the strategies compared, the letter against the model."""
