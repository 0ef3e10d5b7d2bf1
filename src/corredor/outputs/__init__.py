"""What turns results into things people read: figures, the HTML comparison report, the
route diagnostic table and the calibration report."""
