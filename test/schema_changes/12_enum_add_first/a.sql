CREATE TYPE lvl AS ENUM ('mid');
