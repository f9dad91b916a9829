CREATE DOMAIN posint AS int CONSTRAINT posint_check CHECK (VALUE >= 0);
CREATE TABLE t (n posint);
