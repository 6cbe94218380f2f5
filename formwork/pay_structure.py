"""The payslip structure of the estate: which lines are earnings, and how deductions follow from gross.

One source for the synthetic seed (which writes payslips with it) and for masking (which recomputes
every masked payslip with it, so masked deductions follow the masked gross and say nothing of the
original one). A line code not listed here cannot be recomputed: masking refuses it.
"""

from __future__ import annotations

EARNINGS = ("BASIC", "OT")  # summed into GROSS
PAYE_ALLOWANCE, PAYE_RATE = 1047.5, 0.2  # income tax: 20 % of monthly gross over the allowance
NIC_THRESHOLD, NIC_RATE = 1048.0, 0.08  # employee national insurance: 8 % over the threshold
PENSION_RATE = 0.05
CITB_RATE = 0.0035  # construction industry training board levy
DEDUCTIONS = ("PAYE", "NIC", "PENSION", "CITB")
CODES = (*EARNINGS, "GROSS", *DEDUCTIONS, "NET")


def lines(earnings: dict[str, float]) -> dict[str, float]:
    """Every line of a payslip from its earnings (BASIC, OT); deductions are negative."""
    gross = round(sum(earnings.values()), 2)
    paye = round(max(0.0, gross - PAYE_ALLOWANCE) * PAYE_RATE, 2)
    nic = round(max(0.0, gross - NIC_THRESHOLD) * NIC_RATE, 2)
    pension = round(gross * PENSION_RATE, 2)
    citb = round(gross * CITB_RATE, 2)
    net = round(gross - paye - nic - pension - citb, 2)
    return {**earnings, "GROSS": gross, "PAYE": -paye, "NIC": -nic, "PENSION": -pension, "CITB": -citb, "NET": net}
