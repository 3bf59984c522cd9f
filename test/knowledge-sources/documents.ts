import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, ExternalHyperlink } from 'docx';
import PDFDocument from 'pdfkit';

/** Real .docx and PDF files, generated here so the fixtures are ours (docx and pdfkit write the formats Word and PDF readers open). */

export async function makeDocx(): Promise<Buffer> {
  const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] });
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Clear a printer paper jam', heading: HeadingLevel.HEADING_1 }),
          new Paragraph('When the office printer shows error E-42, paper is stuck in the rear tray.'),
          new Paragraph({ text: 'Steps', heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: 'Open the rear tray of the printer', bullet: { level: 0 } }),
          new Paragraph({ text: 'Pull the jammed sheet out slowly', bullet: { level: 0 } }),
          new Table({ rows: [new TableRow({ children: [cell('Error'), cell('Tray')] }), new TableRow({ children: [cell('E-42'), cell('rear')] })] }),
          new Paragraph({
            children: [
              new TextRun('Manual: '),
              new ExternalHyperlink({ link: 'https://printers.example.com/manual', children: [new TextRun('printer manual')] }),
            ],
          }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

export async function makePdf(): Promise<Buffer> {
  const doc = new PDFDocument({ info: { Title: 'Wi-Fi guest access' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.fontSize(18).text('Wi-Fi guest access');
  doc.moveDown();
  doc.fontSize(11).text('Visitors connect to the guest wireless network named CorpGuest with the daily voucher code from reception.');
  doc.moveDown();
  doc.text('The voucher expires at midnight; ask reception for a new code the next day.');
  doc.end();
  return done;
}
