SELECT id FROM sr_users WHERE false;
