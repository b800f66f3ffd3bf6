/** One email as the product sends it (order emails, incident pages), whatever the transport. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per logical message, so a retried send is recognisable as the same message downstream. */
  messageId: string;
}
