// Reads a glossary or a TMX with OmegaT's own readers and prints what OmegaT loaded, one entry a line.
// Run with the JDK's single-file launcher:  java -cp OmegaT.jar Probe.java tsv|tbx|tmx FILE [SRC TGT]
// Part of termalign's tests (termalign's licence).
import java.io.File;
import java.util.List;
import org.omegat.gui.glossary.GlossaryEntry;
import org.omegat.gui.glossary.GlossaryReaderTBX;
import org.omegat.gui.glossary.GlossaryReaderTSV;
import org.omegat.util.Language;
import org.omegat.util.TMXReader2;

public class Probe {
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        File file = new File(args[1]);
        if (kind.equals("tmx")) {
            final int[] counts = {0, 0};
            new TMXReader2().readTMX(file, new Language(args[2]), new Language(args[3]), true, false, false, false,
                new TMXReader2.LoadCallback() {
                    public boolean onEntry(TMXReader2.ParsedTu tu, TMXReader2.ParsedTuv source,
                            TMXReader2.ParsedTuv target, boolean isParagraphSegtype) {
                        counts[0]++;
                        if (source != null && target != null) {
                            counts[1]++;
                            System.out.println("TU\t" + source.text.replace("\n", " ") + "\t" + target.text.replace("\n", " "));
                        }
                        return source != null && target != null;
                    }
                });
            System.out.println("TOTAL\t" + counts[0] + "\t" + counts[1]);
            return;
        }
        List<GlossaryEntry> entries = kind.equals("tbx") ? GlossaryReaderTBX.read(file, false)
                : GlossaryReaderTSV.read(file, false);
        for (GlossaryEntry e : entries) {
            System.out.println("ENTRY\t" + e.getSrcText() + "\t" + String.join(" | ", e.getLocTerms(false)));
        }
        System.out.println("TOTAL\t" + entries.size());
    }
}
