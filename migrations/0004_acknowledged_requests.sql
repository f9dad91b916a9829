-- message: acknowledged requests

-- +up
-- Idempotency keys of booking requests already answered, so that a retried
-- request gets the same answer instead of a second reservation.
CREATE TABLE acknowledged_requests (
    request_id      uuid        PRIMARY KEY,
    reservation_id  bigint      REFERENCES reservations (id) ON DELETE CASCADE,
    response_code   smallint    NOT NULL,
    acknowledged_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT acknowledged_requests_response_code_check
        CHECK (response_code BETWEEN 100 AND 599)
);

CREATE INDEX acknowledged_requests_reservation_id_idx
    ON acknowledged_requests (reservation_id);
CREATE INDEX acknowledged_requests_acknowledged_at_idx
    ON acknowledged_requests (acknowledged_at);

-- +down
DROP TABLE acknowledged_requests;
