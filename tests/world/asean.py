"""The ASEAN Chairmanship on record (docs/decisions/0005, 0006), year by year: the rotation tests check
the rule and the `rotation` command against it."""

ASEAN_RECORD = {
    2015: "Malaysia",
    2016: "Lao PDR",
    2017: "Philippines",
    2018: "Singapore",
    2019: "Thailand",
    2020: "Viet Nam",
    2021: "Brunei Darussalam",
    2022: "Cambodia",
    2023: "Indonesia",
    2024: "Lao PDR",
    2025: "Malaysia",
    2026: "Philippines",
}
