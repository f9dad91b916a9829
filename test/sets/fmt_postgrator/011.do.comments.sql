COMMENT ON TABLE app.tasks IS 'Work items; see open_tasks for the open ones';
COMMENT ON COLUMN app.users.email IS 'login; unique';
