-- Custom SQL migration file, put your code below! --
ALTER TABLE "posts" ADD COLUMN "updated_at" timestamp;
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
CREATE TRIGGER posts_touch BEFORE UPDATE ON "posts" FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
