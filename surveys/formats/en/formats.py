# One way to write a date and a time on every page, in every language (the reader's zone
# comes from surveys.organisation.timezones): 2026-12-06 and 2026-12-06 11:20.
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "m-d"
YEAR_MONTH_FORMAT = "Y-m"
