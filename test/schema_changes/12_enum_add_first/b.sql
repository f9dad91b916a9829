CREATE TYPE lvl AS ENUM ('low', 'mid');
