-- One shape for every message: an inbox message refers to its record by kind and id (case,
-- declaration, bundle, hotline_ticket, rectification, calendar_year), so every capability's
-- messages link to their record. `case_id` and `declaration_id` are superseded and no longer
-- written; their values move over here.
ALTER TABLE inbox ADD COLUMN about_kind TEXT;
ALTER TABLE inbox ADD COLUMN about_id TEXT;
UPDATE inbox SET about_kind = 'case', about_id = case_id WHERE case_id IS NOT NULL;
UPDATE inbox SET about_kind = 'declaration', about_id = declaration_id WHERE declaration_id IS NOT NULL;
