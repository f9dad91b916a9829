CREATE SEQUENCE "public"."ticket_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "ticket" bigint DEFAULT nextval('ticket_seq');
