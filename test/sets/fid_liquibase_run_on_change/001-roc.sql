--liquibase formatted sql

-- Found on kevinpalis/gobii-db: a runOnChange changeset defines a
-- function that a later changeset calls; Liquibase runs runOnChange
-- ones in their place in the changelog.

--changeset kpalis:roc-1
CREATE TABLE lbr_contact (name text PRIMARY KEY);

--changeset kpalis:roc-2 runOnChange:true splitStatements:false
CREATE OR REPLACE FUNCTION lbr_add(n text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO lbr_contact VALUES (n);	-- a comment Liquibase strips
END $$;

--changeset kpalis:roc-3
SELECT lbr_add('tadm');
