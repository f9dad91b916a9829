CREATE SCHEMA st;
CREATE TABLE st.ev (id int, kind text, at timestamptz, n bigint);
CREATE STATISTICS st.ev_kind_at ON kind, at FROM st.ev;
ALTER STATISTICS st.ev_kind_at SET STATISTICS 250;
CREATE STATISTICS st.ev_kinds (ndistinct, mcv) ON kind, n FROM st.ev;
