-- extended statistics changed: a target set (altered in place), kinds
-- changed (rebuilt), one dropped, and a retyped column they cover
CREATE SCHEMA st;
CREATE TABLE st.ev (id int, kind text, at timestamptz, n int);
CREATE STATISTICS st.ev_kind_at ON kind, at FROM st.ev;
CREATE STATISTICS st.ev_kinds (ndistinct) ON kind, n FROM st.ev;
CREATE STATISTICS st.ev_gone ON id, n FROM st.ev;
