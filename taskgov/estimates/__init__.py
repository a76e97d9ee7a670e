"""Evidence-based estimates: actuals from the commit history and forecasts calibrated on them."""
