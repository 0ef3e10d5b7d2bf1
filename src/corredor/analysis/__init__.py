"""What works on the model from outside: scenario comparison, parameter uncertainty,
sensitivity, sweeps over policy levers, calibration against observed history and the
evidence check. Nothing here changes how the model works; it runs it."""
