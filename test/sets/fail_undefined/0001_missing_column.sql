-- +up
CREATE TABLE fu_t (id int);
INSERT INTO fu_t (id)
    SELECT id
      FROM fu_t
     WHERE no_such_column = 1;
