DROP TABLE dx_notes;
