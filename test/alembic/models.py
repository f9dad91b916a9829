"""SQLAlchemy models of the test project: what the team edits today and
what Alembic's autogenerate compares with.  test/t_alembic.sh checks that
`sm-alembic models models:Base.metadata` gives the schema create_all() does."""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()

order_status = sa.Enum("new", "paid", "shipped", name="order_status")


class Customer(Base):
    __tablename__ = "customers"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False)
    email = sa.Column(sa.String(200), nullable=False, server_default="", unique=True)
    phone = sa.Column(sa.String(30))


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint("total > 0", name="ck_orders_amount_positive"),
        sa.Index("ix_orders_open", "created_at", postgresql_where=sa.text("NOT archived")),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    customer_id = sa.Column(sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True)
    status = sa.Column(order_status, nullable=False, server_default="new")
    total = sa.Column(sa.Numeric(10, 2), nullable=False)
    note = sa.Column(sa.Text)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
    archived = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())


class Invoice(Base):
    __tablename__ = "invoices"

    id = sa.Column(sa.Integer, primary_key=True)
    order_id = sa.Column(sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    number = sa.Column(sa.String(20), nullable=False, unique=True)
    issued_on = sa.Column(sa.Date, nullable=False)


class DailyTotal(Base):
    __tablename__ = "daily_totals"
    __table_args__ = {"schema": "reporting"}

    day = sa.Column(sa.Date, primary_key=True)
    total = sa.Column(sa.Numeric(12, 2), nullable=False, server_default="0")
