-- message: Add invoice status
-- down_revision: 0002

-- +up
CREATE TYPE invoice_status AS ENUM ('draft', 'sent', 'paid');
ALTER TABLE invoices ADD COLUMN status invoice_status NOT NULL DEFAULT 'draft';

-- +down
ALTER TABLE invoices DROP COLUMN status;
DROP TYPE invoice_status;
