ALTER TABLE "posts" ALTER COLUMN "body" SET DATA TYPE varchar(10000);--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "published" boolean DEFAULT false NOT NULL;
