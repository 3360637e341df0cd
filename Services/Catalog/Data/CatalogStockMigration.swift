import PostgresNIO
import ServiceDefaults

extension CatalogMigrations {
    /// Stock reservations for orders and the outbox of the catalog's events.
    ///
    /// - `catalog_items.reserved_stock`: units reserved by orders whose stock was confirmed and
    ///   that are not yet paid or cancelled; what an order may still take is
    ///   `available_stock - reserved_stock`.
    /// - `order_stock`: one row per order the catalog validated, with where its stock stands
    ///   (`reserved`, `rejected`, `decremented`, `released`); its primary key makes each step
    ///   happen once per order however often the event comes.
    /// - `stock_reservations`: the units of each product an order reserved.
    /// - `outbox`: events written in the same transaction as the change they announce, published
    ///   by the relay in `sequence` order.
    static let stock = PostgresMigration(
        version: 2, name: "stock reservations, outbox",
        statements: [
            "ALTER TABLE catalog.catalog_items ADD COLUMN reserved_stock integer NOT NULL DEFAULT 0 CHECK (reserved_stock >= 0)",
            """
            CREATE TABLE catalog.order_stock (
                order_id uuid PRIMARY KEY,
                state text NOT NULL CHECK (state IN ('reserved', 'rejected', 'decremented', 'released')),
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE catalog.stock_reservations (
                order_id uuid NOT NULL REFERENCES catalog.order_stock (order_id),
                product_id integer NOT NULL,
                units integer NOT NULL CHECK (units > 0),
                PRIMARY KEY (order_id, product_id))
            """,
            """
            CREATE TABLE catalog.outbox (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                topic text NOT NULL,
                envelope bytea NOT NULL)
            """,
        ])
}
