// Mail message queries.
#include "core/mail/store.hpp"

#include "core/db/pool.hpp"

namespace keel::mail::store {
namespace {

// The columns every query returns, in this order.
stored_message from_row(const db::row& r) {
  return {
      .id = r.get<uuid>(0),
      .content =
          {
              .to = r.get<std::string>(1),
              .subject = r.get<std::string>(2),
              .text = r.get<std::string>(3),
              .html = r.get<std::optional<std::string>>(4),
              .reply_to = r.get<std::optional<std::string>>(5),
              .purpose = r.get<std::string>(6),
          },
      .state = status_from(r.text(7)),
      .attempts = r.get<std::int32_t>(8),
      .sending_at = r.get<std::optional<timestamp>>(9),
      .sent_at = r.get<std::optional<timestamp>>(10),
      .last_error = r.get<std::optional<std::string>>(11),
      .created_at = r.get<timestamp>(12),
      .updated_at = r.get<timestamp>(13),
  };
}

}  // namespace

async<stored_message> insert(db::transaction& tx, const message& m) {
  auto rows =
      co_await tx.query(R"sql(
      INSERT INTO mail_messages (to_address, subject, text_body, html_body, reply_to, purpose,
                                 sensitive)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      RETURNING id, to_address, subject, text_body, html_body, reply_to, purpose,
                status, attempts, sending_at, sent_at, last_error, created_at, updated_at
  )sql",
                        m.to, m.subject, m.text, m.html, m.reply_to, m.purpose, m.sensitive);
  co_return from_row(rows[0]);
}

async<std::optional<stored_message>> find(db::pool& db, const uuid& id) {
  auto rows = co_await db.query(R"sql(
      SELECT id, to_address, subject, text_body, html_body, reply_to, purpose,
             status, attempts, sending_at, sent_at, last_error, created_at, updated_at
        FROM mail_messages
       WHERE id = $1
  )sql",
                                id);
  if (rows.empty()) co_return std::nullopt;
  co_return from_row(rows[0]);
}

async<std::optional<started>> start_sending(db::pool& db, const uuid& id,
                                            std::chrono::seconds in_flight) {
  // `previous` is the row as it was before this update (locked, so no other attempt can
  // slip in between the check and the update).
  auto rows = co_await db.query(R"sql(
      UPDATE mail_messages m
         SET status = 'sending', sending_at = now(), attempts = m.attempts + 1, updated_at = now()
        FROM (SELECT id, status, sending_at FROM mail_messages WHERE id = $1 FOR UPDATE) previous
       WHERE m.id = previous.id
         AND previous.status <> 'sent'
         AND (previous.status <> 'sending'
              OR previous.sending_at < now() - $2::integer * interval '1 second')
      RETURNING m.id, m.to_address, m.subject, m.text_body, m.html_body, m.reply_to, m.purpose,
                m.status, m.attempts, m.sending_at, m.sent_at, m.last_error, m.created_at,
                m.updated_at, previous.status
  )sql",
                                id, static_cast<std::int32_t>(in_flight.count()));
  if (rows.empty()) co_return std::nullopt;
  co_return started{from_row(rows[0]), status_from(rows[0].text(14))};
}

async<void> mark_sent(db::pool& db, const uuid& id) {
  co_await db.query(R"sql(
      UPDATE mail_messages
         SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now(),
             text_body = CASE WHEN sensitive THEN '(removed once sent: it held a one-time secret)'
                              ELSE text_body END,
             html_body = CASE WHEN sensitive THEN NULL ELSE html_body END
       WHERE id = $1
  )sql",
                    id);
}

async<void> mark_failed(db::pool& db, const uuid& id, std::string_view error) {
  co_await db.query(R"sql(
      UPDATE mail_messages
         SET status = 'failed', last_error = $2, updated_at = now()
       WHERE id = $1 AND status = 'sending'
  )sql",
                    id, error);
}

}  // namespace keel::mail::store
