-- How an incident was detected (alarm_email, monitoring_alert, chat_report,
-- external_form, other), shown and edited on the incident page and used by
-- the report's detection section. Empty for incidents recorded before.
ALTER TABLE incidents ADD COLUMN detection TEXT NOT NULL DEFAULT '';
