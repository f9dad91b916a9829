ALTER TABLE "billing"."invoices" ADD CONSTRAINT "invoices_amount_check" CHECK ("billing"."invoices"."amount_cents" >= 0);--> statement-breakpoint
CREATE INDEX "invoices_unpaid_idx" ON "billing"."invoices" USING btree ("user_id") WHERE "billing"."invoices"."paid" = false;
