"""How a request's database transaction ends when the view has not ended it.

Writes are not left for here: each service commits or rolls back its own unit of work
(shared.services.unit_of_work). What is left is the page's reads, and a transaction that
only read ends with COMMIT rather than ROLLBACK. The two are the same to the data, but
psycopg forgets the connection's prepared statements on every ROLLBACK, so PostgreSQL
would parse and plan every query of every page afresh. A transaction that wrote anything
it did not commit, a failed statement or an error in the view still ends in a rollback,
so nothing half-done is ever kept.
"""

from sqlalchemy import event

from shared.extensions import db

NOT_ONLY_READ = "transaction_not_only_read"


def _note_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    # Anything but a plain SELECT (an INSERT, an UPDATE, a CTE that writes, a savepoint)
    # counts as a write.
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[NOT_ONLY_READ] = True


def _note_failure(context) -> None:
    if context.connection is not None:
        context.connection.info[NOT_ONLY_READ] = True


def _forget(conn, *args) -> None:
    conn.info.pop(NOT_ONLY_READ, None)


def _forget_on_reset(dbapi_connection, connection_record, reset_state) -> None:
    connection_record.info.pop(NOT_ONLY_READ, None)


def _end(exc: BaseException | None) -> None:
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active:
        return
    if not session.connection().info.get(NOT_ONLY_READ):
        session.commit()


def init_app(app) -> None:
    """After `db.init_app`: this teardown then runs before Flask-SQLAlchemy's, which
    closes the session (rolling back whatever is still open)."""
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "before_cursor_execute", _note_statement)
            event.listen(engine, "handle_error", _note_failure)
            event.listen(engine, "commit", _forget)
            event.listen(engine, "rollback", _forget)
            event.listen(engine, "reset", _forget_on_reset)
    app.teardown_appcontext(_end)
