CREATE TABLE t (id int, owner name);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON t FOR SELECT USING (owner = current_user);
